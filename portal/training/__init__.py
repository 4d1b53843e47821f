"""Staff training and events (issue 14): programmes, events, registration, attendance, calendars."""
