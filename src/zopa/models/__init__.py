"""Forecast models: the interface and the model registry (:mod:`zopa.models.base`), and the
built-in models, compromise and median, Nash, Bueno de Mesquita's expected utility (``bdm``,
``bdm-scholz``) and Stokman's exchange model. Each is found by name through :mod:`zopa.registry`,
which imports a model's module only when the model is first asked for."""
