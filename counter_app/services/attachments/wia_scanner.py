"""Windows scanners through WIA's Automation Layer (the `WIA.DeviceManager` COM object, wiaaut.dll).

UNTESTED: written against Microsoft's documentation of the WIA Automation Layer and the property IDs of
wiadef.h; it cannot run on Linux, where the test suite runs. It needs pywin32 (`win32com`) or `comtypes`,
imported only when a scan starts, so importing this module never fails; without them (or off Windows) every
call raises a CounterError with a message for the clerk.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from counter_app.errors import CounterError, NotFoundError
from counter_app.services.attachments.document_scanners import (
    COVER_OPEN,
    FEEDER_EMPTY,
    PAPER_JAM,
    SCAN_FAILED,
    ScannerDevice,
    ScanRequest,
    scan_failure,
)
from counter_app.services.attachments.pdf_assembly import Progress

log = logging.getLogger(__name__)

WIA_DEVICE_TYPE_SCANNER = 1
# device properties
WIA_DPS_DOCUMENT_HANDLING_STATUS = 3087
WIA_DPS_DOCUMENT_HANDLING_SELECT = 3088
WIA_DPS_PAGES = 3096
FEEDER, FLATBED, FEED_READY = 0x001, 0x002, 0x001
# item properties
WIA_IPS_CUR_INTENT = 6146
WIA_IPS_XRES, WIA_IPS_YRES = 6147, 6148
INTENT = {"Color": 1, "Gray": 2}
WIA_FORMAT_PNG = "{B96B3CAF-0728-11D3-9D7B-0000F81EF32E}"
# HRESULTs (as unsigned values; COM reports them signed)
WIA_ERROR_PAPER_JAM = 0x80210002
WIA_ERROR_PAPER_EMPTY = 0x80210003
WIA_ERROR_BUSY = 0x80210006
WIA_ERROR_COVER_OPEN = 0x80210016

_UNAVAILABLE = "Máy quét WIA chỉ dùng được trên Windows (cần gói pywin32 hoặc comtypes)."


def _create(prog_id: str) -> Any:
    try:
        import win32com.client

        return win32com.client.Dispatch(prog_id)
    except ImportError:
        pass
    try:
        import comtypes.client

        return comtypes.client.CreateObject(prog_id)
    except ImportError:
        raise CounterError(_UNAVAILABLE, detail="neither win32com nor comtypes can be imported") from None


def _hresult(exc: BaseException) -> int | None:
    # win32com: pywintypes.com_error(hresult, text, excepinfo, argerr); comtypes: COMError(hresult, ...)
    for value in (getattr(exc, "hresult", None), *(getattr(exc, "args", ()) or ())[:1]):
        if isinstance(value, int):
            return value & 0xFFFFFFFF
    return None


def _set_property(properties: Any, property_id: int, value: int) -> bool:
    for index in range(1, int(properties.Count) + 1):
        prop = properties.Item(index)
        if int(prop.PropertyID) == property_id:
            prop.Value = value
            return True
    return False


def _get_property(properties: Any, property_id: int) -> int | None:
    for index in range(1, int(properties.Count) + 1):
        prop = properties.Item(index)
        if int(prop.PropertyID) == property_id:
            return int(prop.Value)
    return None


class WiaScanner:
    def _manager(self) -> Any:
        try:
            return _create("WIA.DeviceManager")
        except CounterError:
            raise
        except Exception as exc:  # COM errors: WIA service stopped, wiaaut.dll not registered
            raise CounterError(_UNAVAILABLE, detail=type(exc).__name__) from None

    def list_devices(self) -> list[ScannerDevice]:
        manager = self._manager()
        devices = []
        for index in range(1, int(manager.DeviceInfos.Count) + 1):
            info = manager.DeviceInfos.Item(index)
            if int(info.Type) == WIA_DEVICE_TYPE_SCANNER:
                devices.append(ScannerDevice(str(info.DeviceID), str(info.Properties.Item("Name").Value)))
        return devices

    def scan(self, request: ScanRequest, into: Path, progress: Progress | None = None) -> list[Path]:
        device, resolution, pages = request.device, request.resolution, request.pages
        manager = self._manager()
        info = None
        for index in range(1, int(manager.DeviceInfos.Count) + 1):
            candidate = manager.DeviceInfos.Item(index)
            if str(candidate.DeviceID) == device:
                info = candidate
        if info is None:
            raise NotFoundError(f"Không tìm thấy máy quét “{device}”. Kiểm tra máy đã bật và đã nối với máy tính.")
        connected = info.Connect()
        feeder = request.source == "feeder"
        if not _set_property(connected.Properties, WIA_DPS_DOCUMENT_HANDLING_SELECT, FEEDER if feeder else FLATBED):
            feeder = False  # a flatbed-only device has no document handling property
        if feeder:
            _set_property(connected.Properties, WIA_DPS_PAGES, 1)  # one page per transfer, we loop
        item = connected.Items.Item(1)
        _set_property(item.Properties, WIA_IPS_CUR_INTENT, INTENT.get(request.mode, 2))
        _set_property(item.Properties, WIA_IPS_XRES, resolution)
        _set_property(item.Properties, WIA_IPS_YRES, resolution)
        into.mkdir(parents=True, exist_ok=True)
        wanted = pages if pages is not None else (None if feeder else 1)
        scanned: list[Path] = []
        if progress is not None:
            progress(0, wanted or 0, "Đang quét trang 1")
        while wanted is None or len(scanned) < wanted:
            if feeder and scanned:
                status = _get_property(connected.Properties, WIA_DPS_DOCUMENT_HANDLING_STATUS)
                if status is not None and not status & FEED_READY:
                    break
            try:
                image = item.Transfer(WIA_FORMAT_PNG)
            except Exception as exc:
                code = _hresult(exc)
                if code == WIA_ERROR_PAPER_EMPTY and feeder and scanned:
                    break
                raise _wia_error(code, len(scanned)) from None
            page = into / f"page-{len(scanned) + 1:04d}.png"
            page.unlink(missing_ok=True)  # ImageFile.SaveFile refuses to overwrite
            image.SaveFile(str(page))
            scanned.append(page)
            if progress is not None:
                progress(len(scanned), wanted or 0, f"Đã quét {len(scanned)} trang")
        return scanned


def _wia_error(code: int | None, scanned: int) -> CounterError:
    messages = {
        WIA_ERROR_PAPER_JAM: PAPER_JAM,
        WIA_ERROR_PAPER_EMPTY: FEEDER_EMPTY,
        WIA_ERROR_BUSY: "Máy quét đang bận. Thử lại sau ít phút.",
        WIA_ERROR_COVER_OPEN: COVER_OPEN,
    }
    return scan_failure(
        messages.get(code or 0, SCAN_FAILED),
        scanned,
        detail=f"WIA HRESULT {code:#010x}" if code is not None else "WIA error",
        clerk_can_fix=code in messages,
    )
