"""Staff pages of renovation: applications (``applications``), the board, patrols, violations,
acceptance and refund (``site``)."""
