"""SMTP parts: the durable sink (server, store, index, behaviours) and the test-message sender."""
