//! Command scripts, one command a line, replayed on both servers (see
//! `main.rs`). Each starts from an empty keyspace; `"..."` quotes an
//! argument with spaces or an empty one. They cover every list, hash, set
//! and keyspace command with its options, arity and syntax errors, integer
//! edges, MEMORY USAGE of int, embstr and raw strings, and WRONGTYPE from
//! each type to each other (streams included).
//! SCAN runs only from cursor 0 on small keyspaces, where one call
//! returns everything: a later cursor names a bucket of a per-process
//! hash, so its reply has no counterpart on another server.

/// (name, script) pairs.
pub const SCRIPTS: &[(&str, &str)] = &[
    (
        "lists",
        r#"LPUSH l a b c
RPUSH l d e f
LPUSHX nol a
RPUSHX nol a
LPUSHX l z
RPUSHX l y
LLEN l
LLEN nol
LRANGE l 0 -1
LRANGE l -100 100
LRANGE l 5 2
LRANGE l a 1
LRANGE nol 0 -1
LINDEX l 0
LINDEX l -1
LINDEX l 100
LINDEX l x
LINDEX nol 0
LSET l 0 q
LSET l 100 q
LSET nol 0 q
LSET l x q
LREM l 0 a
LREM l x a
RPUSH r a b a c a d a
LREM r 2 a
LRANGE r 0 -1
LREM r -1 a
LRANGE r 0 -1
LREM r 0 a
LREM nol 0 a
LTRIM r 1 -1
LRANGE r 0 -1
LTRIM r 5 10
EXISTS r
LTRIM r x 1
LINSERT l BEFORE q X
LINSERT l AFTER q Y
LINSERT l AFTER nothere Y
LINSERT l MIDDLE q Y
LINSERT nol BEFORE a b
LRANGE l 0 -1
RPUSH p a b c 1 2 3 c b a
LPOS p a
LPOS p a RANK -1
LPOS p a RANK 2
LPOS p a RANK 0
LPOS p a COUNT 0
LPOS p a COUNT 1
LPOS p a COUNT -1
LPOS p b MAXLEN 1
LPOS p b MAXLEN -1
LPOS p a RANK -9223372036854775808
LPOS p a FOO 1
LPOS p a RANK
LPOS nol a
LPOS nol a COUNT 2
LPOP p
RPOP p
LPOP p 2
RPOP p 2
LPOP p 0
LPOP p -1
LPOP p x
LPOP p 100
LPOP p
LPOP p 2
LPOP nol
LPOP nol 2
RPOP nol 0
LPOP p 1 2
SET s v
LPUSH s a
RPUSH s a
LPUSHX s a
RPUSHX s a
LPOP s
RPOP s
LLEN s
LRANGE s 0 1
LINDEX s 0
LSET s 0 a
LREM s 0 a
LTRIM s 0 1
LINSERT s BEFORE a b
LPOS s a
LPUSH
LPUSH l
LRANGE l 0
LINDEX l
LSET l 0
LREM l 0
LTRIM l 0
LINSERT l BEFORE a
LPOS l
LLEN
LLEN a b
TYPE l
OBJECT ENCODING l
"#,
    ),
    (
        "hashes_and_sets",
        r#"HSET h f1 v1 f2 v2
HSET h f1 x f3 v3
HSET h f1
HSET h f1 v1 f2
HMSET h a b
HMSET h a
HGET h f1
HGET h nof
HGET noh f
HMGET h f1 nof f3
HMGET noh a b
HDEL h f1 nof
HDEL h nof
HDEL noh f
HLEN h
HLEN noh
HGETALL h
HGETALL noh
HEXISTS h f2
HEXISTS h nof
HEXISTS noh f
HINCRBY h n 5
HINCRBY h n -10
HINCRBY h n x
HINCRBY h f2 1
HINCRBY h n 9223372036854775807
HSET h big 9223372036854775807
HINCRBY h big 1
HSET h neg -9223372036854775808
HINCRBY h neg -1
HINCRBY h sp " 1"
HSET h sp " 1"
HINCRBY h sp 1
HINCRBY noh2 a 3
HGETALL noh2
HKEYS h
HVALS h
HKEYS noh
HVALS noh
HDEL h f2 f3 n big neg sp a
EXISTS h
HDEL noh2 a
EXISTS noh2
TYPE noh2
SET s v
HSET s a b
HGET s a
HMGET s a
HDEL s a
HLEN s
HGETALL s
HEXISTS s a
HINCRBY s a 1
HKEYS s
HVALS s
HMSET s a b
HGET h
HMGET h
HDEL h
HLEN
HGETALL
HEXISTS h
HINCRBY h a
HKEYS
HVALS
SADD st 1 2 3 2
SADD st a
SADD st a b 1
SREM st 1 a x
SREM st x
SREM nos a
SCARD st
SCARD nos
SISMEMBER st 2
SISMEMBER st 9
SISMEMBER nos 9
SMEMBERS nos
SADD i 5 -3 100 0 -9223372036854775808 9223372036854775807
SMEMBERS i
OBJECT ENCODING i
SADD i2 1 01
SMEMBERS i2
OBJECT ENCODING i2
SADD i3 1 " 2"
OBJECT ENCODING i3
SADD i4 9223372036854775808
OBJECT ENCODING i4
SREM i 5 -3 100 0 -9223372036854775808 9223372036854775807
EXISTS i
SADD s a
SREM s a
SCARD s
SISMEMBER s a
SMEMBERS s
SADD
SADD st
SREM st
SCARD
SISMEMBER st
SMEMBERS
TYPE st
TYPE i
OBJECT ENCODING h
HSET h a b
OBJECT ENCODING h
"#,
    ),
    (
        "keyspace",
        r#"SET a 1
RPUSH l x
HSET h f v
SADD s m
XADD x 1-1 f v
RENAME a b
GET a
GET b
RENAME nokey c
RENAME b b
RENAME nokey nokey
RENAME l h
TYPE h
LRANGE h 0 -1
RENAMENX h s
RENAMENX h l
RENAMENX nokey z
RENAMENX s s
RENAMENX nokey nokey
TYPE l
TYPE s
TYPE x
TYPE b
TYPE none
OBJECT ENCODING l
OBJECT ENCODING s
OBJECT ENCODING x
OBJECT ENCODING b
OBJECT ENCODING none
SET emb "hello world"
OBJECT ENCODING emb
SET i 12345
OBJECT ENCODING i
SET r aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
OBJECT ENCODING r
OBJECT
OBJECT ENCODING
OBJECT ENCODING a b
OBJECT FOO a
OBJECT HELP
UNLINK b l nokey
UNLINK
KEYS *
KEYS x
KEYS ?
KEYS [a-z]
KEYS *m*
KEYS \*
KEYS [^x]
KEYS
KEYS a b
SCAN 0
SCAN 0 COUNT 100
SCAN 0 MATCH *
SCAN 0 MATCH e*
SCAN 0 TYPE string
SCAN 0 TYPE list
SCAN 0 TYPE stream
SCAN 0 TYPE hash
SCAN 0 TYPE set
SCAN 0 TYPE foo
SCAN 0 COUNT 0
SCAN 0 COUNT -1
SCAN 0 COUNT x
SCAN 0 MATCH
SCAN 0 FOO bar
SCAN x
SCAN 18446744073709551616
SCAN
RENAME
RENAME a
RENAMENX a
TYPE
"#,
    ),
    (
        "edges",
        r#"RPUSH l a b c
MULTI
LPUSH l x
RENAME l m
TYPE m
EXEC
LRANGE m 0 -1
RPOP m 10
EXISTS m
LPUSH m ""
LRANGE m 0 -1
LPOS m ""
RPUSH n 1 2 3 -5 99999999999 1.5
LRANGE n 0 -1
LINDEX n 4
LSET n 0 123456789012345678901
LSET n 1 -1
LRANGE n 0 -1
LREM n 0 1
LREM n 0 -1
LINSERT n BEFORE 3 4
LINSERT n before 4 5
LRANGE n 0 -1
LPOS n 4 RANK -1 COUNT 0 MAXLEN 2
LPOS n 4 RANK -1 COUNT 0 MAXLEN 0
LPOS n 4 COUNT 0 MAXLEN 0
LTRIM n -2 -1
LRANGE n 0 -1
LTRIM n 0 -100
EXISTS n
LRANGE n 9223372036854775807 -9223372036854775808
RPUSH big 1
LRANGE big -9223372036854775808 9223372036854775807
LINDEX big -9223372036854775808
LSET big -9223372036854775808 x
LSET big -1 x
LSET big 1 x
LPUSH l
LPOP big 9223372036854775807
LPOP big -9223372036854775808
HSET hh f 1
HINCRBY hh f 9223372036854775806
HINCRBY hh f 1
HINCRBY hh f -9223372036854775808
HGET hh f
HSET hh f 1.0
HINCRBY hh f 1
HSET hh f 00
HINCRBY hh f 1
HSET hh "" ""
HGETALL hh
HGET hh ""
SADD ss ""
SMEMBERS ss
SISMEMBER ss ""
SADD si 0
SADD si -0
SADD si +1
SMEMBERS si
OBJECT ENCODING si
SET str 1
OBJECT ENCODING str
SET str 01
OBJECT ENCODING str
SET str -0
OBJECT ENCODING str
SET str 9223372036854775808
OBJECT ENCODING str
SET str 12345678901234567890
OBJECT ENCODING str
SET str "                                            "
OBJECT ENCODING str
SET str "                                             "
OBJECT ENCODING str
XADD xs 1-1 f v
MULTI
DEL xs
SADD xs 1
EXEC
TYPE xs
RENAME xs xs
RENAMENX xs xs
RENAME xs nokey
TYPE nokey
OBJECT ENCODING nokey
SET a 1
MEMORY USAGE a
SET a 12345
MEMORY USAGE a
SET a -9223372036854775808
MEMORY USAGE a
SET a 01
MEMORY USAGE a
SET a ""
MEMORY USAGE a
SET a abcdefghij
MEMORY USAGE a
SET a abcdefghijabcdefghijabcdefghijabcdefghij1234
MEMORY USAGE a
SET a abcdefghijabcdefghijabcdefghijabcdefghij12345
MEMORY USAGE a
SET a abcdefghijabcdefghijabcdefghijabcdefghij12345abcdefghijabcdefghijabcdefghijabcdefghij12345abcdefghijabcdefghijabcdefghijabcdefghij12345abcdefghijabcdefghijabcdefghijabcdefghij12345abcdefghijabcdefghijabcdefghijabcdefghij12345abcdefghijabcdefghijabcdefghijabcdefghij12345
MEMORY USAGE a
SET a 99999999999999999999
MEMORY USAGE a
"#,
    ),
    (
        "wrong_types_and_multi",
        r#"XADD x 1-1 f v
RPUSH l a
HSET h f v
SADD s a
SADD si 1
SET str v
LPUSH x a
LRANGE x 0 -1
LLEN h
LPOP s
HSET l f v
HGET x f
HGETALL str
HINCRBY s f 1
SADD l m
SADD h m
SMEMBERS l
SISMEMBER x a
SCARD h
SREM str a
SADD str a
XADD l 2-1 f v
XADD h 2-1 f v
XADD s 2-1 f v
XADD si 2-1 f v
XLEN l
XRANGE h - +
XREAD STREAMS s 0
XGROUP CREATE l g $
XINFO STREAM h
GET l
GET h
GET s
MULTI
DEL x
RPUSH x a b
EXEC
TYPE x
MULTI
RENAME l h
HGET h f
LRANGE h 0 -1
TYPE h
EXEC
MULTI
SET s v
SADD s a
GET s
EXEC
MULTI
LPUSH
LPUSH k a
EXEC
MULTI
HSET k
EXEC
MULTI
LRANGE k a b
LPUSH k a
EXEC
LRANGE k 0 -1
RENAME k s
RENAMENX s str
TYPE s
DBSIZE
UNLINK s str si h x
DBSIZE
"#,
    ),
];
