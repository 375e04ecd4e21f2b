from django.apps import AppConfig


class NomenclaturesConfig(AppConfig):
    name = "tpj.nomenclatures"
    verbose_name = "Nomenclatures nationales"
