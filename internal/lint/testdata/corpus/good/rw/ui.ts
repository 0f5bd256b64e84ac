const label = { "Client Secret": "Client-Geheimnis" };
const el = <input aria-label={showPassword ? "Hide password" : "Show password"} />;
fetch(url, { credentials: "same-origin" });
const provider = { token: "https://accounts.google.com/o/oauth2/token" };
token.tag = "span";
enum PasskeyBrand {
  OnePassword = "bada5566-a7aa-401f-bd96-45619a55120d",
}
const reloadSessionKey = "chunkReload";
const UserAccessToken = "user_token";
// postgresql://user:secretpw@host/db
/**
 * password: hunter2hunter
 */
const port = process.env.PORT || "3000";
