"""Tables with Mattermost's own (lower-case) PostgreSQL names and types.

`sessions` is exactly the 11 columns of §3.1 (migrations 000022, 000062,
000071): no NOT NULL besides the primary key, `token` indexed but not unique,
indexes on userid, expiresat, createat, lastactivityat.  The other tables hold
the columns the emulator uses, with Mattermost's names and types.
Creation is idempotent and serialised with an advisory lock.  With
EmulatorSettings.SessionsExtraColumn `sessions` gets a 12th column
(set_sessions_extra_column).
"""

SCHEMA_LOCK_KEY = 0x6D6D656D75  # "mmemu"

DDL = [
    """
    CREATE TABLE IF NOT EXISTS users (
        id                 varchar(26) PRIMARY KEY,
        createat           bigint,
        updateat           bigint,
        deleteat           bigint,
        username           varchar(64) UNIQUE,
        password           varchar(128),
        authdata           varchar(128) UNIQUE,
        authservice        varchar(32),
        email              varchar(128) UNIQUE,
        emailverified      boolean,
        nickname           varchar(64),
        firstname          varchar(64),
        lastname           varchar(64),
        position           varchar(128),
        roles              varchar(256),
        allowmarketing     boolean,
        props              jsonb,
        notifyprops        jsonb,
        lastpasswordupdate bigint,
        lastpictureupdate  bigint,
        failedattempts     integer,
        locale             varchar(5),
        timezone           jsonb,
        mfaactive          boolean,
        mfasecret          varchar(128),
        remoteid           varchar(26),
        lastlogin          bigint NOT NULL DEFAULT 0,
        mfausedtimestamps  jsonb
    )""",
    "CREATE INDEX IF NOT EXISTS idx_users_update_at ON users (updateat)",
    "CREATE INDEX IF NOT EXISTS idx_users_delete_at ON users (deleteat)",
    """
    CREATE TABLE IF NOT EXISTS bots (
        userid         varchar(26) PRIMARY KEY,
        description    varchar(1024),
        ownerid        varchar(190),
        createat       bigint,
        updateat       bigint,
        deleteat       bigint,
        lasticonupdate bigint
    )""",
    """
    CREATE TABLE IF NOT EXISTS teams (
        id                  varchar(26) PRIMARY KEY,
        createat            bigint,
        updateat            bigint,
        deleteat            bigint,
        displayname         varchar(64),
        name                varchar(64) UNIQUE,
        description         varchar(255),
        email               varchar(128),
        type                varchar(255),
        companyname         varchar(64),
        alloweddomains      varchar(1000),
        inviteid            varchar(32),
        schemeid            varchar(26),
        allowopeninvite     boolean,
        lastteamiconupdate  bigint,
        groupconstrained    boolean,
        cloudlimitsarchived boolean NOT NULL DEFAULT false
    )""",
    "CREATE INDEX IF NOT EXISTS idx_teams_invite_id ON teams (inviteid)",
    """
    CREATE TABLE IF NOT EXISTS teammembers (
        teamid      varchar(26) NOT NULL,
        userid      varchar(26) NOT NULL,
        roles       varchar(256),
        deleteat    bigint,
        schemeuser  boolean,
        schemeadmin boolean,
        schemeguest boolean,
        createat    bigint DEFAULT 0,
        PRIMARY KEY (teamid, userid)
    )""",
    "CREATE INDEX IF NOT EXISTS idx_teammembers_user_id ON teammembers (userid)",
    "CREATE INDEX IF NOT EXISTS idx_teammembers_delete_at ON teammembers (deleteat)",
    # §3.1 — exactly these 11 columns, in migration order.
    """
    CREATE TABLE IF NOT EXISTS sessions (
        id             varchar(26) PRIMARY KEY,
        token          varchar(26),
        createat       bigint,
        expiresat      bigint,
        lastactivityat bigint,
        userid         varchar(26),
        deviceid       varchar(512),
        roles          varchar(256),
        isoauth        boolean,
        props          jsonb,
        expirednotify  boolean
    )""",
    "CREATE INDEX IF NOT EXISTS idx_sessions_user_id ON sessions (userid)",
    "CREATE INDEX IF NOT EXISTS idx_sessions_token ON sessions (token)",
    "CREATE INDEX IF NOT EXISTS idx_sessions_expires_at ON sessions (expiresat)",
    "CREATE INDEX IF NOT EXISTS idx_sessions_create_at ON sessions (createat)",
    "CREATE INDEX IF NOT EXISTS idx_sessions_last_activity_at ON sessions (lastactivityat)",
    """
    CREATE TABLE IF NOT EXISTS useraccesstokens (
        id          varchar(26) PRIMARY KEY,
        token       varchar(26) UNIQUE,
        userid      varchar(26),
        description varchar(512),
        isactive    boolean
    )""",
    "CREATE INDEX IF NOT EXISTS idx_user_access_tokens_user_id ON useraccesstokens (userid)",
    """
    CREATE TABLE IF NOT EXISTS channels (
        id                varchar(26) PRIMARY KEY,
        createat          bigint,
        updateat          bigint,
        deleteat          bigint,
        teamid            varchar(26),
        type              varchar(1),
        displayname       varchar(64),
        name              varchar(64),
        header            varchar(1024),
        purpose           varchar(250),
        lastpostat        bigint,
        totalmsgcount     bigint,
        extraupdateat     bigint,
        creatorid         varchar(26),
        schemeid          varchar(26),
        groupconstrained  boolean,
        shared            boolean,
        totalmsgcountroot bigint,
        lastrootpostat    bigint DEFAULT 0,
        UNIQUE (name, teamid)
    )""",
    "CREATE INDEX IF NOT EXISTS idx_channels_team_id ON channels (teamid)",
    """
    CREATE TABLE IF NOT EXISTS channelmembers (
        channelid          varchar(26) NOT NULL,
        userid             varchar(26) NOT NULL,
        roles              varchar(256),
        lastviewedat       bigint,
        msgcount           bigint,
        mentioncount       bigint,
        notifyprops        jsonb,
        lastupdateat       bigint,
        schemeuser         boolean,
        schemeadmin        boolean,
        schemeguest        boolean,
        mentioncountroot   bigint,
        msgcountroot       bigint,
        urgentmentioncount bigint,
        PRIMARY KEY (channelid, userid)
    )""",
    "CREATE INDEX IF NOT EXISTS idx_channelmembers_user_id ON channelmembers (userid)",
    """
    CREATE TABLE IF NOT EXISTS posts (
        id           varchar(26) PRIMARY KEY,
        createat     bigint,
        updateat     bigint,
        editat       bigint,
        deleteat     bigint,
        ispinned     boolean,
        userid       varchar(26),
        channelid    varchar(26),
        rootid       varchar(26),
        originalid   varchar(26),
        message      varchar(65535),
        type         varchar(26),
        props        jsonb,
        hashtags     varchar(1000),
        filenames    varchar(4000),
        fileids      varchar(300),
        hasreactions boolean,
        remoteid     varchar(26)
    )""",
    "CREATE INDEX IF NOT EXISTS idx_posts_channel_id ON posts (channelid)",
]

# Tables in the order /__emu/state reports them.
TABLES = ["users", "bots", "teams", "teammembers", "sessions", "useraccesstokens",
          "channels", "channelmembers", "posts"]


def set_sessions_extra_column(conn, present):
    """EmulatorSettings.SessionsExtraColumn (correction 8): the IDX-only
    migration's `voipdeviceid varchar(512)`, nullable, no default (as in its
    PostgreSQL file), added at runtime or dropped again."""
    with conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK_KEY,))
        cur.execute("""SELECT 1 FROM information_schema.columns
                        WHERE table_schema = current_schema() AND table_name = 'sessions'
                          AND column_name = 'voipdeviceid'""")
        exists = cur.fetchone() is not None
        # ALTER TABLE only when needed: it waits for every open use of the table
        if present and not exists:
            cur.execute("ALTER TABLE sessions ADD COLUMN voipdeviceid varchar(512)")
        elif exists and not present:
            cur.execute("ALTER TABLE sessions DROP COLUMN voipdeviceid")
    conn.commit()


def create_schema(conn):
    with conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK_KEY,))
        for statement in DDL:
            cur.execute(statement)
    conn.commit()
