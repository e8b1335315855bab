"""Limite de 5 utilisateurs tenue par la base elle-même (déclencheur), quel que soit le créateur.

`user_create` la vérifie déjà (message français, 409) ; le déclencheur la garantit aussi pour
`createsuperuser`, l'administration Django, un shell ou un INSERT direct. Il prend le même verrou
consultatif que le service : deux créations simultanées ne peuvent pas dépasser la limite.
"""

from django.db import migrations

MAX_USERS = 5  # spec : 5 utilisateurs au maximum (= settings.ARISTOBOT_MAX_USERS)
LOCK_KEY = 7_301_001  # même verrou que accounts.services._USER_LIMIT_LOCK

CREATE = f"""
CREATE OR REPLACE FUNCTION aristobot_users_cap() RETURNS trigger AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({LOCK_KEY});
    IF (SELECT count(*) FROM users) >= {MAX_USERS} THEN
        RAISE EXCEPTION USING
            ERRCODE = 'check_violation',
            CONSTRAINT = 'users_max_{MAX_USERS}',
            MESSAGE = 'Limite atteinte : Aristobot accepte au maximum {MAX_USERS} utilisateurs.';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER users_max_{MAX_USERS} BEFORE INSERT ON users
    FOR EACH ROW EXECUTE FUNCTION aristobot_users_cap();
"""
DROP = f"""
DROP TRIGGER IF EXISTS users_max_{MAX_USERS} ON users;
DROP FUNCTION IF EXISTS aristobot_users_cap();
"""


class Migration(migrations.Migration):

    dependencies = [("accounts", "0002_initial")]

    operations = [migrations.RunSQL(CREATE, DROP)]
