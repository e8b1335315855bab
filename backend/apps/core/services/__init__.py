"""Services partagés du cœur : accès aux exchanges via CCXT (gestionnaire d'instances, erreurs, ordres).

Ce paquet reste léger à l'import : importez les sous-modules (`ccxt_manager`, `exchange`, `orders`…).
"""
