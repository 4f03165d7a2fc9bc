"""Public legal services (公共法律服务): portal, 12348 online advice, hotline, directory, mediation,
legal aid, notary."""
