"""Email notifications: written to an outbox inside the change that causes them (outbox.py,
called by the acceptance, assurance and sync services), found by the clock (timed.py), composed
for each recipient's own view (compose.py) and delivered over SMTP (delivery.py, smtp.py)."""
