"""Penal execution (刑事执行): community corrections, electronic monitoring, prisons, rehab."""
