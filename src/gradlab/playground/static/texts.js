// The texts of index.html, by the key its elements name: `data-i18n="key"` (the element's
// text), `data-i18n-html="key"` (its content, with <b> kept: see i18n.js's safeHtml) and
// `data-i18n-title="key"` (its tooltip). The English here is the page's; index.html holds a
// copy so that it reads before the script runs. Marked with N_ so Babel extracts them.

import { N_ } from './i18n.js';

export const PAGE_TEXTS = {
  pageTitle: N_('gradlab playground'),
  brand: N_('gradlab <b>playground</b>'),
  brandTitle: N_(
    'A neural network trained live by gradlab (NumPy) in the Python server; this page only draws.'),
  resetTitle: N_('Reset: new random initial weights (next seed), same data; the epoch goes back to 0.'),
  playTitle: N_('Play / pause: train continuously. The server sends an update up to 20 times a second.'),
  regenerateTitle: N_(
    'Regenerate: draw a new data set (next data seed), same network; training restarts at epoch 0.'),
  stepTitle: N_('Step: train exactly one epoch (one pass over the training set), while paused.'),
  epochTitle: N_('Epochs trained so far (one epoch = one pass over the training data).'),
  epoch: N_('Epoch'),
  learningRate: N_('Learning rate'),
  learningRateTitle: N_(
    'Learning rate: how big a step the optimizer takes along the gradient (1e-5 to 10). Too small: slow. Too large: the loss jumps around or diverges.'),
  regularization: N_('Regularization'),
  regularizationTitle: N_(
    'Regularization: a penalty on large weights added to the gradient. L1 pushes weights to exactly 0, L2 shrinks them all.'),
  regularizationNone: N_('None'),
  regRate: N_('Reg. rate'),
  regRateTitle: N_(
    'Regularization rate (0 to 10): how strong the weight penalty is. L1 adds rate·Σ|W|, L2 adds rate/2·ΣW².'),
  problemTitle: N_(
    'Problem type: set by the data set (classification: predict a class; regression: predict a number in [-1, 1]).'),
  problem: N_('Problem type'),
  preset: N_('Preset'),
  presetTitle: N_(
    'Presets: ready-made setups that show one phenomenon each (vanishing gradients, dying ReLU, ...). Choosing one replaces the whole config.'),
  presetChoose: N_('Choose a preset…'),
  statusTitle: N_('Connection to the training server'),
  reconnect: N_('Reconnect'),
  reconnectTitle: N_('Open a new connection (a new training session).'),
  languageTitle: N_('Language of the page (the training goes on)'),
  optimizer: N_('Optimizer'),
  optimizerTitle: N_(
    'Optimizer: the rule that turns gradients into weight updates. SGD steps straight down the gradient; momentum and Adam remember past gradients.'),
  initializer: N_('Initializer'),
  initializerTitle: N_(
    'Initializer: how the initial random weights are drawn. Glorot suits tanh/sigmoid, He suits ReLU.'),
  initScale: N_('Init scale'),
  initScaleTitle: N_(
    'Init scale (0.01 to 10): multiplies the initial weights. Large values saturate tanh/sigmoid units; tiny values make gradients vanish.'),
  batchnormTitle: N_(
    'Batch normalization after each hidden layer (before its activation): keeps pre-activations centred, which fights saturation in deep nets.'),
  batchnorm: N_('Batch norm'),
  batchnormLabelTitle: N_('Batch normalization after each hidden layer (before its activation).'),
  residual: N_('Skip connections'),
  residualTitle: N_(
    'Skip connections: each hidden layer whose input is as wide as itself adds its input to its output (y = x + f(x)), so the gradient has a path around it. Drawn as arcs under the layers.'),
  residualLabelTitle: N_('Identity shortcuts around the hidden layers (residual connections).'),
  dropout: N_('Dropout'),
  dropoutTitle: N_(
    'Dropout rate (0 to 0.9): fraction of hidden units switched off at random at each training step, against overfitting.'),
  clipTitle: N_(
    'Gradient clipping: if the norm of all gradients together exceeds the limit, scale them down to it. Stops exploding steps.'),
  clip: N_('Clip grads'),
  clipLabelTitle: N_('Gradient clipping on/off'),
  clipNormTitle: N_('Clipping limit (0.01 to 100) on the global gradient norm.'),
  presetDescTitle: N_('What the chosen preset shows'),
  readonlyNote: N_('Read-only on a small screen: open the page on a larger screen to edit.'),
  data: N_('Data'),
  dataHint: N_('Which data set do you want to use?'),
  classesTitle: N_('Number of classes (only some data sets have more than two).'),
  classes: N_('Classes'),
  trainRatio: N_('Ratio of training to test data'),
  trainRatioTitle: N_(
    'Percentage of the points used for training; the rest is the test set, never trained on, that shows how well the net generalizes.'),
  noise: N_('Noise'),
  noiseTitle: N_(
    'Noise (0 to 50 %): how much the points are jittered; noisy data overlap and cannot be separated perfectly.'),
  batchSize: N_('Batch size'),
  batchSizeTitle: N_(
    'Batch size (1 to 100): how many points are averaged for each weight update. Small batches: many noisy steps per epoch.'),
  points: N_('Points'),
  pointsTitle: N_('Number of points in the data set (100 to 2000), train and test together.'),
  seed: N_('Seed'),
  seedTitle: N_(
    'Seed (integer): fixes the random data and initial weights, so a setup can be repeated exactly. Reset and Regenerate move on to the next seed.'),
  regenerate: N_('Regenerate'),
  features: N_('Features'),
  featuresHint: N_('Which properties do you feed in?'),
  addLayerTitle: N_('Add a hidden layer (at most 6).'),
  removeLayerTitle: N_('Remove the last hidden layer.'),
  legendLinksTitle: N_(
    'Links: the weights. Blue = positive, orange = negative; thicker = larger |weight|. Hover a link to read its value.'),
  legendLinks: N_('weight > 0 / < 0, width ∝ |w| (hover: value)'),
  legendDeadTitle: N_(
    "A dead unit's activation has slope 0 on every training point: no gradient flows through it, so it never recovers."),
  legendDead: N_('dead unit (slope 0 on all points)'),
  legendSaturatedTitle: N_(
    "Saturated: the activation is flat (slope under 1% of its maximum) on many training points; the ring's opacity is that fraction."),
  legendSaturated: N_('saturated (ring opacity = share of points)'),
  legendInactiveTitle: N_(
    "Inactive: a rectifier (ReLU and its family) unit on the flat side of its activation (slope under 1% of its maximum) on many training points; it passes no gradient there. The ring's opacity is that share."),
  legendInactive: N_('inactive (ReLU family; opacity = share)'),
  legendShortcutTitle: N_(
    "A skip connection: the layer's input is added to its output, so the gradient also flows around the layer."),
  legendShortcut: N_('skip connection'),
  legendEditTitle: N_(
    "Hover a unit: its output over the plane in the output plot; click it to pin it there (Esc or a second click unpins). Click a link to edit its weight; click a unit's small corner square (or “bias” in the output plot's caption) to edit its bias."),
  legendEdit: N_('hover/click a unit: see it in the plot · click a link or a corner square: edit the weight/bias'),
  gradFlow: N_('Gradient flow'),
  gradFlowHint: N_("size of each layer's weight gradient, per update"),
  gradChartTitle: N_(
    "Gradient flow: the L2 norm of each layer's weight gradient over the epochs, on a logarithmic scale."),
  explainSummary: N_('What am I looking at?'),
  explainGradFlow: N_(
    "One line per layer: the size of its weights' gradient, the push each update gives them. Log scale: each grid line is <b>10×</b> the one below. First layers far <b>below</b> the output: <b>vanishing</b> gradients (they barely learn). Lines shooting <b>up</b>: <b>exploding</b> gradients. On the red <b>0</b> row: no gradient at all (dead units)."),
  output: N_('Output'),
  testLossTitle: N_('Loss on the test points (not trained on): how well the net generalizes.'),
  testLoss: N_('Test loss'),
  trainLossTitle: N_('Loss on the training points, the quantity the optimizer minimizes.'),
  trainLoss: N_('Training loss'),
  lossChartTitle: N_(
    'Loss over the epochs: training (blue) and test (dark). A test loss rising while the training loss falls means overfitting.'),
  surfaceTitle: N_(
    "Decision surface: the network's output at every point of the plane. Colours as the legend below; the dots are the data."),
  showTestTitle: N_('Draw the test points too (outlined in black); they are never trained on.'),
  showTest: N_('Show test data'),
  discretizeTitle: N_(
    'Discretize output: colour each point of the plane by the predicted class only (no shades of confidence).'),
  discretize: N_('Discretize output'),
  inspectOut: N_('output'),
  inspectOutTitle: N_("Show the unit's output (after its activation) over the plane."),
  inspectPre: N_('pre-activation'),
  inspectPreTitle: N_(
    "Show the unit's pre-activation (its weighted sum, the activation's input) over the plane; the hatched part is where the activation is flat."),
  inspectBias: N_('bias'),
  inspectBiasTitle: N_("Edit this unit's bias."),
  inspectCloseTitle: N_("Unpin: the plot shows the network's output again (Esc)."),
  weightValueTitle: N_('The new value (−100 to 100). Training goes on from it.'),
  weightOkTitle: N_('Set this value (Enter)'),
  weightCancelTitle: N_('Close without changing anything (Esc)'),
  weightHint: N_('Enter: set · Esc: close'),
  // "Your data" (customdata.js)
  customClassification: N_('Classes'),
  customRegression: N_('Values'),
  customTaskTitle: N_(
    'What the points carry: a class (0 to 3) or a value (−1 to 1). Clear the points to switch.'),
  customValue: N_('Value'),
  customValueTitle: N_('The target value (−1 to 1) of the next points you draw: −1 orange, +1 blue.'),
  customDraw: N_('Draw'),
  customDrawTitle: N_('Draw mode: clicks on the output plot add or remove points.'),
  customClear: N_('Clear'),
  customClearTitle: N_(
    'Remove every point (the network keeps training on the previous ones until you draw a new one).'),
  customUpload: N_('Upload CSV…'),
  customUploadTitle: N_(
    'Upload a CSV file: three columns x1, x2, then a class (0 to 3) or a value; an optional header row; comma, semicolon or tab separated. The points are rescaled to the plane.'),
  customHint: N_(
    'Click the plot to add a point of the chosen class; shift-click (or right-click) removes the nearest point.'),
  customHintValue: N_(
    'Click the plot to add a point of the chosen value; shift-click (or right-click) removes the nearest point.'),
};
