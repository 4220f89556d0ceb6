"""Protocol logic over the resolver: SPF, DMARC, DKIM, MTA-STS (with its bounded HTTPS fetch) and
DANE. Parse, evaluate, explain; nothing here renders or decides what a report says."""
