"""In-app notifications for every area: stored as a message key with parameters, shown in the reader's language."""
