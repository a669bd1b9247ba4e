"""Kombu transports the queue uses: Redis made safe on reconnect, and the embedded one."""
