"""UI shell: base layout, navigation by the four functions, dashboard, list pages, export."""
