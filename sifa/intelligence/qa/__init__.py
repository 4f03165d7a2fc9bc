"""Legal advice (智能咨询): question classification, statute retrieval and answers."""
