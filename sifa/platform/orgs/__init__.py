"""Administrative divisions (GB/T 2260), the org tree and jurisdiction scoping (分权分域)."""
