"""The audit trail of reads and changes of personal records."""
