"""Staff pages of community: events, announcements, surveys and the call list."""
