"""Assistant IA des stratégies (spec §4.5) : OpenRouter ou Ollama, au choix de l'utilisateur.

- `config` : la configuration IA d'un utilisateur (fournisseur, modèle, URL, clé) ;
- `prompts` : le prompt système (le contrat `Strategy`) et les messages envoyés ;
- `extract` : le bloc de code Python et l'explication tirés de la réponse ;
- `client` : les appels HTTP asynchrones (httpx) et la traduction des erreurs en français ;
- `services` : `strategy_assist` et `ai_connection_check`, appelés par les vues.
"""
