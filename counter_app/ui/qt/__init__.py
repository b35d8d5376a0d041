"""The Qt groundwork: the task runner, the binding's workarounds (emit, garbage collection), fonts, style, and
Vietnamese in Qt's own widgets. Imports no other ui package."""
