CREATE ROLE "{{name}}" WITH LOGIN INHERIT PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';
GRANT app_rw TO "{{name}}";
ALTER ROLE "{{name}}" SET search_path = app;
