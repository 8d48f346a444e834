"""In-app notices (站内通知) of case events, and their email outbox."""
