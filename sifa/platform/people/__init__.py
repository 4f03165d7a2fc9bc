"""People (自然人): the persons platform records refer to, with ID and phone numbers encrypted,
blind-indexed for exact lookup, shown masked, and revealed only by permission with an audit row."""
