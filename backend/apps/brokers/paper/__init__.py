"""Trading papier : un venue de plus derrière le chemin unique des ordres.

Un broker papier (`Broker.is_paper`) n'a pas de compte sur l'exchange. `exchange_get(broker=…)`
lui renvoie un `PaperExchange` (`exchange.py`), qui présente le sous-ensemble de l'interface CCXT
asynchrone utilisé par l'application : marchés, tickers, carnet et prix viennent de l'instance
PUBLIQUE partagée de l'exchange ; soldes et ordres vivent en base (`ledger.py`, modèles
`PaperBalance` / `PaperOrder`). Tout le reste (ordres manuels, moteur, webhooks, protections,
soldes valorisés) passe par le code habituel, sans branche « papier ». Voir docs/paper-trading.md.
"""
