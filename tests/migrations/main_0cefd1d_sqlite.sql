-- The SQLite schema that create_all made on main at 0cefd1d (before migrations); upgrade tests load it.
CREATE TABLE users (
	id VARCHAR(32) NOT NULL, 
	login VARCHAR(32) NOT NULL, 
	email VARCHAR(254), 
	display_name VARCHAR(64) NOT NULL, 
	password_hash VARCHAR(100) NOT NULL, 
	created_at DATETIME NOT NULL, 
	last_seen_at DATETIME, 
	PRIMARY KEY (id), 
	UNIQUE (login), 
	UNIQUE (email)
);
CREATE TABLE api_keys (
	id VARCHAR(16) NOT NULL, 
	name VARCHAR(100) NOT NULL, 
	secret_hash VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	revoked_at DATETIME, 
	PRIMARY KEY (id)
);
CREATE TABLE call_sessions (
	id INTEGER NOT NULL, 
	room_id VARCHAR(64) NOT NULL, 
	livekit_sid VARCHAR(64) NOT NULL, 
	started_at DATETIME NOT NULL, 
	ended_at DATETIME, 
	PRIMARY KEY (id), 
	UNIQUE (livekit_sid)
);
CREATE INDEX ix_call_sessions_room_id ON call_sessions (room_id);
CREATE TABLE processed_webhooks (
	event_id VARCHAR(64) NOT NULL, 
	event VARCHAR(32) NOT NULL, 
	received_at DATETIME NOT NULL, 
	PRIMARY KEY (event_id)
);
CREATE TABLE login_sessions (
	id VARCHAR(32) NOT NULL, 
	user_id VARCHAR(32) NOT NULL, 
	created_at DATETIME NOT NULL, 
	revoked_at DATETIME, 
	PRIMARY KEY (id), 
	FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX ix_login_sessions_user_id ON login_sessions (user_id);
CREATE TABLE contacts (
	id VARCHAR(32) NOT NULL, 
	owner_id VARCHAR(32) NOT NULL, 
	peer_id VARCHAR(32) NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (owner_id, peer_id), 
	FOREIGN KEY(owner_id) REFERENCES users (id) ON DELETE CASCADE, 
	FOREIGN KEY(peer_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX ix_contacts_peer ON contacts (peer_id);
CREATE TABLE call_participants (
	id INTEGER NOT NULL, 
	session_id INTEGER NOT NULL, 
	identity VARCHAR(128) NOT NULL, 
	user_id VARCHAR(32), 
	name VARCHAR(128) NOT NULL, 
	participant_sid VARCHAR(64) NOT NULL, 
	joined_at DATETIME NOT NULL, 
	left_at DATETIME, 
	duration_s FLOAT, 
	PRIMARY KEY (id), 
	FOREIGN KEY(session_id) REFERENCES call_sessions (id) ON DELETE CASCADE, 
	FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX ix_call_participants_session ON call_participants (session_id, identity);
CREATE INDEX ix_call_participants_user_id ON call_participants (user_id);
CREATE TABLE direct_messages (
	id INTEGER NOT NULL, 
	sender_id VARCHAR(32) NOT NULL, 
	recipient_id VARCHAR(32) NOT NULL, 
	content TEXT NOT NULL, 
	client_id VARCHAR(64), 
	created_at DATETIME NOT NULL, 
	delivered_at DATETIME, 
	read_at DATETIME, 
	PRIMARY KEY (id), 
	FOREIGN KEY(sender_id) REFERENCES users (id) ON DELETE CASCADE, 
	FOREIGN KEY(recipient_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX ix_direct_messages_recipient ON direct_messages (recipient_id, id);
CREATE INDEX ix_direct_messages_pair ON direct_messages (sender_id, recipient_id, id);
CREATE TABLE rooms (
	id VARCHAR(12) NOT NULL, 
	name VARCHAR(100) NOT NULL, 
	kind VARCHAR(8) NOT NULL, 
	host_id VARCHAR(32), 
	api_key_id VARCHAR(16), 
	status VARCHAR(8) NOT NULL, 
	max_participants INTEGER NOT NULL, 
	waiting_room BOOLEAN NOT NULL, 
	locked BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	ended_at DATETIME, 
	PRIMARY KEY (id), 
	FOREIGN KEY(host_id) REFERENCES users (id) ON DELETE SET NULL, 
	FOREIGN KEY(api_key_id) REFERENCES api_keys (id) ON DELETE SET NULL
);
CREATE INDEX ix_rooms_host_id ON rooms (host_id);
CREATE TABLE refresh_tokens (
	token_hash VARCHAR(64) NOT NULL, 
	session_id VARCHAR(32) NOT NULL, 
	expires_at DATETIME NOT NULL, 
	spent_at DATETIME, 
	PRIMARY KEY (token_hash), 
	FOREIGN KEY(session_id) REFERENCES login_sessions (id) ON DELETE CASCADE
);
CREATE INDEX ix_refresh_tokens_session_id ON refresh_tokens (session_id);
CREATE TABLE direct_calls (
	id VARCHAR(32) NOT NULL, 
	room_id VARCHAR(12) NOT NULL, 
	caller_id VARCHAR(32) NOT NULL, 
	callee_id VARCHAR(32) NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	created_at DATETIME NOT NULL, 
	answered_at DATETIME, 
	ended_at DATETIME, 
	PRIMARY KEY (id), 
	FOREIGN KEY(room_id) REFERENCES rooms (id) ON DELETE CASCADE, 
	FOREIGN KEY(caller_id) REFERENCES users (id) ON DELETE CASCADE, 
	FOREIGN KEY(callee_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX ix_direct_calls_caller_id ON direct_calls (caller_id);
CREATE INDEX ix_direct_calls_callee_id ON direct_calls (callee_id);
CREATE TABLE chat_messages (
	id INTEGER NOT NULL, 
	room_id VARCHAR(12) NOT NULL, 
	sender_id VARCHAR(32), 
	content TEXT NOT NULL, 
	client_id VARCHAR(64), 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(room_id) REFERENCES rooms (id) ON DELETE CASCADE, 
	FOREIGN KEY(sender_id) REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX ix_chat_messages_room_id_id ON chat_messages (room_id, id);
CREATE TABLE events (
	id INTEGER NOT NULL, 
	type VARCHAR(32) NOT NULL, 
	room_id VARCHAR(12), 
	user_id VARCHAR(32), 
	data JSON NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(room_id) REFERENCES rooms (id) ON DELETE CASCADE, 
	FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX ix_events_room_id ON events (room_id);
CREATE INDEX ix_events_user_id ON events (user_id);
CREATE TABLE room_members (
	room_id VARCHAR(12) NOT NULL, 
	user_id VARCHAR(32) NOT NULL, 
	role VARCHAR(16) NOT NULL, 
	state VARCHAR(16) NOT NULL, 
	joined_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (room_id, user_id), 
	FOREIGN KEY(room_id) REFERENCES rooms (id) ON DELETE CASCADE, 
	FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX ix_room_members_user_id ON room_members (user_id);
