"""Role grants for electronic monitoring (collected by accounts.roles at start-up).

Positions are personal data used only for correction work (社区矫正法 Art 29): the staff who
supervise a supervisee may view the track; acknowledging and closing alerts is ``change_alert``.
Juvenile supervisees' devices, positions and alerts stay hidden from roles without
``corrections.view_juvenile`` (the corrections queryset does that for every model here).
"""

_VIEW = [
    "monitoring.view_device",
    "monitoring.view_position",
    "monitoring.view_fence",
    "monitoring.view_alert",
    "monitoring.view_rejectedmessage",
]
_HANDLE = [
    "monitoring.change_alert",
    "monitoring.add_device",
    "monitoring.change_device",
    "monitoring.add_fence",
    "monitoring.change_fence",
]

ROLE_GRANTS = {
    "bureau_head": [*_VIEW, *_HANDLE, "monitoring.delete_fence"],
    "bureau_staff": [*_VIEW, *_HANDLE],
    "office_staff": [*_VIEW, *_HANDLE],
    "officer": [*_VIEW, *_HANDLE],
}
