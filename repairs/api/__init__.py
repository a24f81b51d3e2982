"""The repairs API: tickets and their transitions (``tickets``), the configuration behind them
(``config``), one set of schemas (``schemas``). ``estate.api`` mounts ``router``."""

from ninja import Router

from repairs.api import config, tickets

router = Router()
router.add_router("", tickets.router)
router.add_router("", config.router)
