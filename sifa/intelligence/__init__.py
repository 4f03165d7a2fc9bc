"""Intelligence hub (智能中台): framework-free text, question-answering and extraction code."""
