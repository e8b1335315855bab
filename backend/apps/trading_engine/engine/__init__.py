"""Moteur de trading (spec §3.2) : le démon `run_trading_engine` et les briques qu'il assemble.

- `service.TradingEngine` : la boucle asyncio du démon (signaux, surveillance, webhooks) ;
- `runner` : un signal → les stratégies concernées, en parallèle ;
- `positions` / `protection` : ouverture, SL/TP (sur l'exchange ou surveillés), clôture et P&L ;
- `monitor` : contrôle des positions ouvertes toutes les minutes ;
- `reconcile` : reprise après redémarrage (positions, signaux manqués, webhooks interrompus) ;
- `webhooks` : exécution des alertes webhook en attente ;
- `listener` : abonnement aux groupes Redis, avec reprise après coupure.

Voir docs/trading-engine.md.
"""
