"""Morning market briefings: which markets (``markets``), who subscribed and when (``subscription``, ``store``)
and what a briefing says (``types``, ``compose``). When they are sent is decided in ``jobs``."""
