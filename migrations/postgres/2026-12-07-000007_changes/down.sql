DROP TABLE changes;
DROP TABLE shared_secrets;
