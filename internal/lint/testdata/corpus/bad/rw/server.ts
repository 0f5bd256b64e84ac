const s = process.env.SESSION_SECRET || "keyboard-cat";
const t = process.env.API_TOKEN ?? 'tok-dev-1';
client.setToken("s3cr3t-t0ken");
const port = process.env.PORT || "3000";
