from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data (`manage.py seed_demo`): a believable company across every module.

    It sits above all domain apps and imports them; nothing imports it.
    """

    name = "rapport.demo"
    label = "demo"
    verbose_name = "Rapport demo data"
