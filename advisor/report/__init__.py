"""The manager's weekly picture of one chat (``roundtable report``): see ``advisor.report.summary``."""
