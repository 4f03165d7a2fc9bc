"""Documents: templates rendered to DOCX/PDF with CJK fonts, document numbers, attachments."""
