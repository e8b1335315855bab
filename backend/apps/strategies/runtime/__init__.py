"""Runtime des stratégies utilisateur.

Ce paquet n'importe ni les réglages Django ni l'ORM (CONVENTIONS §10) : il reçoit des bougies,
un solde et une position, et rend des décisions. Le code utilisateur s'exécute dans un enfant neuf
et confiné du bac à sable par évaluation (voir `sandbox/`, `pool.py` et `decide.py`), jamais dans
Daphne, le moteur ou une commande.

API publique :
- `base.Strategy` : la classe de base dont hérite la stratégie de l'utilisateur ;
- `loader.load_strategy_class(code)` / `loader.StrategyLoadError` : chargement du code ;
- `pool.StrategyPool`, `pool.StrategyDecision` : exécution confinée (asyncio ou threads) ;
- `sandbox.client.Sandbox` : le processus modèle et ses enfants (aussi utilisé par les backtests) ;
- `validation.validate_code(code)` : façade synchrone pour les vues Django.
"""
