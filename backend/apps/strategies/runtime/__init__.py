"""Runtime des stratégies utilisateur.

Ce paquet n'importe ni les réglages Django ni l'ORM (CONVENTIONS §10) : il reçoit des bougies,
un solde et une position, et rend des décisions. Le code utilisateur s'exécute dans des processus
« workers » (voir `pool.py` et `worker.py`), jamais dans Daphne ni dans la boucle du moteur.

API publique :
- `base.Strategy` : la classe de base dont hérite la stratégie de l'utilisateur ;
- `loader.load_strategy_class(code)` / `loader.StrategyLoadError` : chargement du code ;
- `pool.StrategyPool`, `pool.StrategyDecision` : exécution asynchrone isolée ;
- `validation.validate_code(code)` : façade synchrone pour les vues Django.
"""
