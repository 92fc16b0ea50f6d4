"""Screen sizes the explorer's browser tests emulate (Chrome DevTools' device metrics)."""

VIEWPORTS = {
    "390x844": {"width": 390, "height": 844, "deviceScaleFactor": 3, "mobile": True},
    "360x740": {"width": 360, "height": 740, "deviceScaleFactor": 3, "mobile": True},
    "1400x1000": {"width": 1400, "height": 1000, "deviceScaleFactor": 1, "mobile": False},
}
