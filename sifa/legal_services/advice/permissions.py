"""Knowledge-base staff at the province review questions; bureau staff may read them."""

ROLE_GRANTS = {
    "bureau_head": ["advice.view_advicequestion", "advice.change_advicequestion"],
    "bureau_staff": ["advice.view_advicequestion"],
}
