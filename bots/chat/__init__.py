"""The platform-neutral chat core: messages, the router and its commands, per-chat settings."""
