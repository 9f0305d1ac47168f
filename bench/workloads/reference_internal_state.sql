-- Reference: a built-in C aggregate with an internal state (sum(int8): palloc per group, serial/deserial in parallel plans) GROUP BY user_id
SELECT user_id, sum(user_id) FROM events GROUP BY user_id;
