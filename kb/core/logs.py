"""Libraries' own messages (pypdf's "invalid pdf header", Python warnings) go to a log file in
the data folder, not to the user's screen: users read our French messages instead."""

from __future__ import annotations

import logging

from kb.core.config import Settings

LIBRARY_LOGGERS = ("pypdf", "py.warnings", "docx", "bs4", "chardet", "charset_normalizer")
LOG_FILE = "ctg.log"


def route_library_logs(settings: Settings) -> None:
    """Send the libraries' log records to `data_dir/ctg.log` (dropped while no base exists,
    so that a command reading nothing creates nothing)."""
    logging.captureWarnings(True)
    handler: logging.Handler = (
        logging.FileHandler(settings.data_dir / LOG_FILE, encoding="utf-8")
        if settings.data_dir.is_dir()
        else logging.NullHandler()
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    for name in LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.propagate = False
