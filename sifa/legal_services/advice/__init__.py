"""Smart advice (智能咨询) pages and API: a thin Django layer over sifa.intelligence.qa."""
