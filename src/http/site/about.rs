//! The page that says what the site is, how an auditor checks it offline, and what
//! personal data it publishes and why.

use super::*;

pub(super) async fn about(SiteQuery(p): SiteQuery) -> Response {
    let lang = p.lang();
    let body = if lang == Lang::Da { DA } else { EN };
    // The text is the site's own, fixed when it is built: nothing from the ledger in it.
    page(lang, t(lang, "Om protokollen", "About the record"), PreEscaped(body.to_string()))
}

const DA: &str = r#"<p>Denne side viser en forsamlings protokol: hvem der sad i hvilke grupper hvornår, møderne, deres dagsordener, beslutninger, forbehold og opgaver, og hvilke referater der er godkendt. Alt er ført som hændelser i en log, hvor hver hændelse bærer hashen af den forrige (BLAKE3), og loggen er samlet i et Merkle-træ (RFC 6962), som operatøren signerer checkpoints af.</p>
<h2>Sådan kontrollerer du protokollen selv</h2>
<ol>
<li>Hent hele loggen: <a href="/api/events">/api/events</a> (i sider) eller som fliser under <code>/tile/</code>; eller bed sekretariatet om en eksport (<code>protokol export</code>).</li>
<li>Kontrollér hver hash og hvert led uden at stole på serveren: <code>protokol import EKSPORT.jsonl</code> i en tom ledger og derefter <code>protokol verify</code>. Formatet er beskrevet i <code>docs/FORMAT.md</code>, så det kan også gøres i et andet sprog.</li>
<li>Kontrollér én beslutning: hent dens bevis, <code>/api/proof/decision/ID</code>, og kør <code>protokol verify-proof BEVIS.json --key NØGLE</code> med den offentliggjorte verifikationsnøgle. Beviset holder uden resten af loggen.</li>
<li>Gem det signerede <a href="/checkpoint">checkpoint</a>. Senere viser <code>protokol consistency GAMMELT_CHECKPOINT</code>, om loggen stadig bygger videre på det: omskrives en gammel hændelse, siger den hvor.</li>
<li>Kontrollér et referat-dokument mod det godkendte på <a href="/check?lang=da">Tjek et dokument</a>.</li>
</ol>
<h2>Personoplysninger</h2>
<p>Protokollen offentliggør navne, titler og tilknytning for medlemmer, observatører, gæster og sekretariat, deres roller og perioder i grupperne, fremmøde og afbud, og hvem der har fået hvilke opgaver. Det er oplysninger, der står i referaterne, og de offentliggøres, fordi formålet er, at alle kan se, hvem der traf hvilke beslutninger på hvilket grundlag. Der offentliggøres ikke kontaktoplysninger. Hvem der har registreret en hændelse, vises som navnet på en skrivenøgle. Er noget registreret ved en fejl, kan indholdet slettes fra loggen (<code>BodyRedacted</code>), mens kæden stadig kan kontrolleres; kontakt sekretariatet.</p>
"#;

const EN: &str = r#"<p>This site shows a body's record: who sat on which group when, the meetings, their agendas, decisions, reservations and actions, and which minutes were approved. Everything is kept as events in a log where each event carries the hash of the one before (BLAKE3), and the log is gathered in a Merkle tree (RFC 6962) whose checkpoints the operator signs.</p>
<h2>How to check the record yourself</h2>
<ol>
<li>Fetch the whole log: <a href="/api/events">/api/events</a> (in pages) or as tiles under <code>/tile/</code>; or ask the secretariat for an export (<code>protokol export</code>).</li>
<li>Check every hash and every link without trusting the server: <code>protokol import EXPORT.jsonl</code> into an empty ledger, then <code>protokol verify</code>. The format is in <code>docs/FORMAT.md</code>, so it can be done in another language too.</li>
<li>Check one decision: fetch its proof, <code>/api/proof/decision/ID</code>, and run <code>protokol verify-proof PROOF.json --key KEY</code> with the published verifier key. The proof holds without the rest of the log.</li>
<li>Keep the signed <a href="/checkpoint">checkpoint</a>. Later, <code>protokol consistency OLD_CHECKPOINT</code> shows whether the log still extends it: if an old event was rewritten, it says where.</li>
<li>Check a minutes document against the approved one on <a href="/check?lang=en">Check a document</a>.</li>
</ol>
<h2>Personal data</h2>
<p>The record publishes the names, titles and affiliations of members, observers, guests and the secretariat, their roles and terms in the groups, attendance and apologies, and who was given which action. These are in the minutes, and they are published because the point is that anyone can see who decided what, on what grounds. No contact details are published. Who recorded an event shows as the name of a write token. Something recorded by mistake can have its content erased from the log (<code>BodyRedacted</code>) while the chain still checks; ask the secretariat.</p>
"#;
