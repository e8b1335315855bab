"""Bac à sable du code des stratégies : un processus modèle, un enfant neuf et confiné par évaluation.

- `client.Sandbox` : côté parent (Daphne, moteur) ; `run()` / `arun()` ;
- `zygote` : le processus modèle (imports chauds, `fork()` à la demande) ;
- `child` : ce que fait chaque enfant (confinement, requête, réponse, sortie) ;
- `confine` : uid dédié, no_new_privs, limites du noyau, Landlock, seccomp ; `Limits` ;
- `landlock`, `seccomp` : les deux couches du noyau ;
- `frames` : trames enfant → parent (JSON plafonné) et exceptions de limites.

Voir docs/strategies.md §2 pour le modèle de menace et ce qui est contenu.
"""
