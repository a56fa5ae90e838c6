// Runs last in <body>: reports that it ran and whether the style sheet
// (loaded with the same integrity and nonce rules) applied.
var report = document.createElement('p');
report.id = 'report';
report.textContent = 'script ran; style ' +
    getComputedStyle(document.body).getPropertyValue('--zc-marker').trim();
document.body.appendChild(report);
