"""Rules files (``rules/*.toml``): read safely and validated strictly into frozen models
(sender profiles, providers, shared services, DNSBL zones, provenance)."""
