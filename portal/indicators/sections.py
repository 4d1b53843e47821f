"""The indicator sections: importing this module registers them all (each section's ``order`` places it).

Another area adds its own by calling ``portal.indicators.model.register`` from a module imported here.
"""

from portal.indicators import partners, people, placements
from portal.training import indicator_section as training

__all__ = ["partners", "people", "placements", "training"]
