"""Setting up an installation: the agency and counter, the shipped calendar and the demo catalogue."""

from __future__ import annotations

import logging

from counter_app.domain.codes import Numbering, validate_agency_code
from counter_app.domain.roles import Permission
from counter_app.errors import RuleError, ValidationError
from counter_app.resources import resources_dir
from counter_app.services.catalogue.procedures import CatalogueService
from counter_app.services.catalogue.working_calendar import CalendarService
from counter_app.services.common.context import ServiceContext
from counter_app.services.common.settings import SETTING_NAMES, Settings, parse_setting
from counter_app.storage.repositories.agencies import Agency

log = logging.getLogger(__name__)

DEMO_AGENCY_CODE = "000.00.99.H29"
DEMO_AGENCY_NAME = "Trung tâm Phục vụ hành chính công phường Minh Họa"


class SetupService:
    def __init__(self, context: ServiceContext, calendar: CalendarService, catalogue: CatalogueService) -> None:
        self.context = context
        self.calendar = calendar
        self.catalogue = catalogue

    def ensure_seeded(self) -> None:
        """The shipped calendar years the database lacks and, if it has no procedure, the demo catalogue."""
        self.calendar.seed_shipped()
        with self.context.uow() as uow:
            empty = uow.procedures.count() == 0
        if empty:
            count = self.catalogue.load_catalogue_file(resources_dir() / "catalogue" / "demo.json")
            log.info("demo catalogue loaded: %d procedures", count)

    def init_local(
        self,
        *,
        agency_code: str,
        agency_name: str,
        counter: int,
        counter_digits: int = 1,
        number_digits: int = 3,
        parent_authority: str = "",
        drill: bool = False,
    ) -> Settings:
        """Create or configure this installation as counter `counter` of an agency.

        The code widths are fixed once: changing them later could make two codes equal, so it is refused.
        `drill` makes a database for drills or training, only before it holds any dossier; once made, it stays one
        (its dossiers may carry times set by the drill clock, and every form it prints says "BẢN DIỄN TẬP").
        """
        self.context.require(Permission.SETTINGS)
        code = validate_agency_code(agency_code)
        if not agency_name.strip():
            raise ValidationError("agency_name", "Cần nhập tên cơ quan.")
        numbering = Numbering(counter_digits, number_digits)
        numbering.check_counter(counter)
        with self.context.uow(write=True) as uow:
            agency = uow.agencies.get(code)
            if agency is not None and (agency.counter_digits, agency.number_digits) != (
                counter_digits,
                number_digits,
            ):
                raise RuleError(
                    "Độ dài số quầy và số thứ tự của cơ quan đã được cố định khi thiết lập "
                    f"({agency.counter_digits} và {agency.number_digits} chữ số); không thể thay đổi vì có thể "
                    "làm trùng mã hồ sơ."
                )
            current = uow.settings.get("agency_code")
            if current and current != code and uow.dossiers.count() > 0:
                raise RuleError("Cơ sở dữ liệu này đã có hồ sơ của cơ quan khác; không thể đổi sang cơ quan mới.")
            already_drill = parse_setting("drill", uow.settings.get("drill") or "0")
            if drill and not already_drill and uow.dossiers.count() > 0:
                raise RuleError(
                    "Cơ sở dữ liệu này đã có hồ sơ thật; chỉ một cơ sở dữ liệu mới tạo mới dùng được cho diễn tập "
                    "hoặc tập huấn."
                )
            uow.agencies.put(
                Agency(
                    code=code,
                    name=" ".join(agency_name.split()),
                    parent_authority=" ".join(parent_authority.split()),
                    place="",
                    counter_digits=counter_digits,
                    number_digits=number_digits,
                )
            )
            uow.agencies.add_counter(code, counter)
            uow.settings.put("agency_code", code)
            uow.settings.put("counter", str(counter))
            if drill:
                uow.settings.put("drill", "1")
            uow.commit()
        self.context.forget_settings()
        return self.context.settings()

    def set_setting(self, key: str, value: str) -> None:
        self.context.require(Permission.SETTINGS)
        typed = parse_setting(key, value)
        if key in {"agency_code", "counter"}:
            raise ValidationError(key, "Cơ quan và số quầy được đặt bằng lệnh “counter-app init”.")
        if key == "drill":
            raise ValidationError(
                key, "Chế độ diễn tập được cố định khi tạo cơ sở dữ liệu (“counter-app init --drill”), không đổi được."
            )
        with self.context.uow(write=True) as uow:
            uow.settings.put(key, str(typed))
            uow.commit()
        self.context.forget_settings()

    def get_setting(self, key: str) -> object:
        if key not in SETTING_NAMES:
            raise ValidationError("key", f"Không có thiết lập “{key}”. Các thiết lập: {', '.join(SETTING_NAMES)}.")
        return getattr(self.context.settings(), key)

    def agency_name(self) -> str:
        settings = self.context.settings()
        with self.context.uow() as uow:
            agency = uow.agencies.get(settings.agency_code)
            return agency.name if agency else ""

    def ensure_demo_profile(self) -> None:
        """The demo profile of `make run`: a demo agency and counter 1 on top of the demo catalogue."""
        if not self.context.settings().is_configured:
            self.init_local(
                agency_code=DEMO_AGENCY_CODE,
                agency_name=DEMO_AGENCY_NAME,
                counter=1,
                parent_authority="UBND PHƯỜNG MINH HỌA (DỮ LIỆU MINH HỌA)",
                drill=True,
            )
            self.set_setting("clerk_name", "Cán bộ minh họa")
            self.set_setting("head_name", "Nguyễn Văn Minh")
