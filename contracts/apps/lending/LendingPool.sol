// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {OracleConsumer} from "../../consumer/OracleConsumer.sol";
import {AggregatorV3Interface} from "../../interfaces/AggregatorV3Interface.sol";
import {ILendingPool} from "../../interfaces/ILendingPool.sol";
import {IOracleCoordinator} from "../../interfaces/IOracleCoordinator.sol";
import {AttestationProof, Model, PullReport, Status} from "../../libraries/OracleTypes.sol";
import {CreditPolicy, CreditPolicyMath, CreditTerms} from "./CreditPolicy.sol";
import {DebtLedger} from "./DebtLedger.sol";
import {Loan, LoanStatus, PoolSettings} from "./LendingTypes.sol";

/// @title LendingPool
/// @notice A stablecoin pool (ERC-4626 shares) lending against ERC-20 collateral, where approval,
/// APR and maximum LTV come from a credit-risk model's probability of default (PD), delivered by
/// the oracle coordinator (push) or brought by the borrower as a signed report (pull).
/// @dev Accounting: totalAssets = idle stablecoin + outstanding debt with interest (DebtLedger).
/// A loan's credit line is min(requested, collateral value x LTV), checked at each draw with the
/// live price. Bad debt stays on the books at face value until the loan is liquidated; then what
/// the collateral does not cover is written off, lowering every share's value (lenders share it).
contract LendingPool is ILendingPool, ERC4626, OracleConsumer, Ownable2Step, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;
    using CreditPolicyMath for CreditPolicy;
    using DebtLedger for DebtLedger.Totals;

    uint256 public constant MAX_APR_BPS = 10_000;
    uint256 public constant MAX_DRAW_WINDOW_SECONDS = 365 days;
    uint256 public constant MAX_REQUEST_TTL_SECONDS = 30 days;
    uint256 public constant MAX_PRICE_AGE_SECONDS = 7 days;
    /// @dev A sanity floor, not what the callback needs (about 18k gas measured on anvil); a limit
    /// too low loses decisions, and `closeLoan` then returns the collateral.
    uint256 public constant MIN_CALLBACK_GAS_LIMIT = 10_000;
    uint256 public constant MAX_CALLBACK_GAS_LIMIT = 2_500_000;

    IERC20 private immutable _collateral;
    AggregatorV3Interface private immutable _priceFeed;
    bytes32 private immutable _modelId;
    /// @dev value in asset units = amount * price * _assetUnit / _priceUnit
    uint256 private immutable _assetUnit;
    uint256 private immutable _priceUnit;

    /// @dev Virtual shares (ERC-4626 decimals offset): shares have 6 more decimals than the asset, so a first
    /// depositor's donation would have to be a million times what it takes from the next depositor by rounding.
    uint8 private constant _DECIMALS_OFFSET = 6;

    CreditPolicy private _policy;
    PoolSettings private _settings;
    DebtLedger.Totals private _debt;
    mapping(bytes32 loanId => Loan) private _loans;
    mapping(address borrower => uint256) private _collateralCredits;

    /// @param asset_ the stablecoin lent and deposited (ERC-4626 asset)
    /// @param collateral_ the ERC-20 borrowers post; priced in `asset_` by `priceFeed_`
    /// @param modelId_ the coordinator's credit-risk model whose PD (basis points) decides
    constructor(
        IERC20Metadata asset_,
        IERC20Metadata collateral_,
        AggregatorV3Interface priceFeed_,
        IOracleCoordinator coordinator_,
        bytes32 modelId_,
        CreditPolicy memory policy_,
        PoolSettings memory settings_,
        address owner_
    ) ERC20("AI Lending Pool share", "aiLP") ERC4626(asset_) OracleConsumer(coordinator_) Ownable(owner_) {
        if (
            address(asset_) == address(0) || address(collateral_) == address(0) || address(priceFeed_) == address(0)
                || address(coordinator_) == address(0) || modelId_ == bytes32(0)
        ) revert LendingPoolZeroAddress();
        if (address(asset_) == address(collateral_)) revert LendingPoolSameToken(address(asset_));
        _collateral = collateral_;
        _priceFeed = priceFeed_;
        _modelId = modelId_;
        _assetUnit = 10 ** asset_.decimals();
        _priceUnit = 10 ** (uint256(priceFeed_.decimals()) + collateral_.decimals());
        _setPolicy(policy_);
        _setSettings(settings_);
    }

    // ================================================================ borrowers

    /// @inheritdoc ILendingPool
    function applyForLoan(
        uint256 collateralAmount,
        uint256 requestedAmount,
        bytes32 inputCommitment,
        bytes calldata encryptedInput,
        uint64 attestationExpiresAt,
        bytes calldata attestationSignature
    ) external payable nonReentrant returns (bytes32 loanId) {
        _checkAmounts(collateralAmount, requestedAmount);
        // The coordinator refuses a fee below its price for this pool's callback gas limit.
        Model memory model = coordinator().getModel(_modelId);
        address attester =
            _verifyAttestation(msg.sender, _modelId, inputCommitment, attestationExpiresAt, attestationSignature);
        PoolSettings memory settings_ = _settings;
        _collateral.safeTransferFrom(msg.sender, address(this), collateralAmount);
        loanId = _requestPrivatePrediction(
            _modelId,
            inputCommitment,
            encryptedInput,
            AttestationProof(msg.sender, attestationExpiresAt, attestationSignature),
            uint64(block.timestamp + settings_.requestTtlSeconds),
            settings_.callbackGasLimit,
            msg.value
        );
        Loan storage loan =
            _open(loanId, collateralAmount, requestedAmount, model.artifactHash, inputCommitment, attester);
        loan.status = LoanStatus.Pending;
        if (msg.value != 0) loan.feeWei = uint96(msg.value);
    }

    /// @inheritdoc ILendingPool
    function borrowWithReport(
        PullReport calldata report,
        bytes calldata signatures,
        uint256 collateralAmount,
        uint256 requestedAmount,
        uint256 drawAmount,
        uint64 attestationExpiresAt,
        bytes calldata attestationSignature
    ) external nonReentrant returns (bytes32 loanId) {
        if (report.modelId != _modelId) revert LendingPoolWrongModel(_modelId, report.modelId);
        _checkAmounts(collateralAmount, requestedAmount);
        address attester =
            _verifyAttestation(msg.sender, _modelId, report.inputHash, attestationExpiresAt, attestationSignature);
        (Status status, int256 value) = _consumePullReport(report, signatures, msg.sender);
        if (status != Status.OK) revert LendingPoolReportNotOk(status);
        if (value < 0 || value > int256(_BPS)) revert LendingPoolInvalidPd(value);
        CreditPolicy memory policy_ = _policy;
        CreditTerms memory terms = policy_.terms(uint256(value));
        if (!terms.approved) revert LendingPoolPdAboveMax(uint256(value), policy_.maxPdBps);

        _collateral.safeTransferFrom(msg.sender, address(this), collateralAmount);
        loanId = _pullReportKey(report);
        Loan storage loan =
            _open(loanId, collateralAmount, requestedAmount, report.artifactHash, report.inputHash, attester);
        _approve(loan, loanId, value, terms, policy_);
        if (drawAmount != 0) _draw(loan, loanId, drawAmount);
    }

    /// @inheritdoc ILendingPool
    function draw(bytes32 loanId, uint256 amount) external nonReentrant {
        Loan storage loan = _loans[loanId];
        _checkBorrower(loan, loanId);
        _draw(loan, loanId, amount);
    }

    /// @inheritdoc ILendingPool
    function repay(bytes32 loanId, uint256 amount) external nonReentrant returns (uint256 repaid) {
        if (amount == 0) revert LendingPoolZeroAmount();
        Loan storage loan = _activeLoan(loanId);
        (uint256 debt, uint256 scaled) = DebtLedger.owed(loan.debt, loan.aprBps, loan.lastAccrualAt);
        if (debt == 0) revert LendingPoolNothingToRepay(loanId);
        repaid = Math.min(amount, debt);
        uint256 remaining = debt - repaid;
        _setDebt(loan, scaled, remaining);
        loan.settledAmount += uint128(repaid);
        emit LoanRepaid(loanId, msg.sender, repaid, remaining);
        IERC20(asset()).safeTransferFrom(msg.sender, address(this), repaid);
        if (remaining == 0) {
            uint256 collateralAmount = loan.collateralAmount;
            loan.collateralAmount = 0;
            loan.status = LoanStatus.Repaid;
            _collateral.safeTransfer(loan.borrower, collateralAmount);
        }
    }

    /// @inheritdoc ILendingPool
    function liquidate(bytes32 loanId) external nonReentrant returns (uint256 repaidAmount, uint256 collateralSeized) {
        Loan storage loan = _activeLoan(loanId);
        (uint256 debt, uint256 scaled) = DebtLedger.owed(loan.debt, loan.aprBps, loan.lastAccrualAt);
        uint256 collateralAmount = loan.collateralAmount;
        uint256 price = _price();
        uint256 value = _valueOf(collateralAmount, price);
        uint256 liquidationDebt = value * loan.liquidationThresholdBps / _BPS;
        if (debt <= liquidationDebt) revert LendingPoolLoanHealthy(loanId, debt, liquidationDebt);

        uint256 withBonusBps = _BPS + loan.liquidationBonusBps;
        repaidAmount = Math.min(debt, value * _BPS / withBonusBps);
        // When the collateral cannot cover the debt and the bonus, the liquidator takes all of it.
        collateralSeized = repaidAmount < debt
            ? collateralAmount
            : Math.min(collateralAmount, _amountFor(repaidAmount * withBonusBps / _BPS, price));
        uint256 returned = collateralAmount - collateralSeized;
        _setDebt(loan, scaled, 0);
        loan.settledAmount += uint128(debt);
        loan.collateralAmount = 0;
        loan.status = LoanStatus.Liquidated;
        emit LoanLiquidated(loanId, msg.sender, repaidAmount, collateralSeized, returned, debt - repaidAmount);

        if (returned != 0) {
            address borrower_ = loan.borrower;
            _collateralCredits[borrower_] += returned;
            emit CollateralCredited(loanId, borrower_, returned);
        }

        IERC20(asset()).safeTransferFrom(msg.sender, address(this), repaidAmount);
        _collateral.safeTransfer(msg.sender, collateralSeized);
    }

    /// @inheritdoc ILendingPool
    function withdrawCollateral(address to) external nonReentrant {
        if (to == address(0)) revert LendingPoolZeroAddress();
        uint256 amount = _collateralCredits[msg.sender];
        if (amount == 0) revert LendingPoolNothingToWithdraw(msg.sender);
        _collateralCredits[msg.sender] = 0;
        emit CollateralWithdrawn(msg.sender, to, amount);
        _collateral.safeTransfer(to, amount);
    }

    /// @inheritdoc ILendingPool
    function closeLoan(bytes32 loanId) external nonReentrant {
        Loan storage loan = _loans[loanId];
        _checkBorrower(loan, loanId);
        LoanStatus status = loan.status;
        uint256 refundWei = 0; // only an expired application's fee comes back
        if (status == LoanStatus.Expired) {
            refundWei = loan.feeWei;
        } else if (status == LoanStatus.Active) {
            if (loan.debt != 0) revert LendingPoolOutstandingDebt(loanId, _debtOf(loan));
        } else if (status == LoanStatus.Pending) {
            if (coordinator().commitmentOf(loanId) != bytes32(0)) revert LendingPoolDecisionPending(loanId);
        } else if (status != LoanStatus.Rejected) {
            revert LendingPoolNotClosable(loanId, status);
        }
        uint256 collateralAmount = loan.collateralAmount;
        loan.collateralAmount = 0;
        loan.status = LoanStatus.Closed;
        emit LoanClosed(loanId, collateralAmount, refundWei);
        _collateral.safeTransfer(msg.sender, collateralAmount);
        if (refundWei != 0) _payFeeRefund(payable(msg.sender), refundWei);
    }

    // ================================================================ owner

    /// @inheritdoc ILendingPool
    function setPolicy(CreditPolicy calldata newPolicy) external onlyOwner {
        _setPolicy(newPolicy);
    }

    /// @inheritdoc ILendingPool
    function setSettings(PoolSettings calldata newSettings) external onlyOwner {
        _setSettings(newSettings);
    }

    // ================================================================ ERC-4626

    /// @notice Idle stablecoin plus every loan's debt with interest up to now.
    function totalAssets() public view override returns (uint256) {
        return _cash() + _debt.total();
    }

    /// @notice Lenders withdraw at most the idle stablecoin; the rest is lent out.
    function maxWithdraw(address owner_) public view override returns (uint256) {
        return Math.min(super.maxWithdraw(owner_), _cash());
    }

    /// @notice Shares redeemable for at most the idle stablecoin.
    function maxRedeem(address owner_) public view override returns (uint256) {
        return Math.min(super.maxRedeem(owner_), _convertToShares(_cash(), Math.Rounding.Floor));
    }

    // ================================================================ views

    /// @inheritdoc ILendingPool
    function loanOf(bytes32 loanId) external view returns (Loan memory) {
        return _loans[loanId];
    }

    /// @inheritdoc ILendingPool
    function debtOf(bytes32 loanId) external view returns (uint256) {
        return _debtOf(_loans[loanId]);
    }

    /// @inheritdoc ILendingPool
    function accruedInterestOf(bytes32 loanId) external view returns (uint256) {
        Loan storage loan = _loans[loanId];
        return _debtOf(loan) + loan.settledAmount - loan.drawnAmount;
    }

    /// @inheritdoc ILendingPool
    function availableToDraw(bytes32 loanId) external view returns (uint256) {
        Loan storage loan = _loans[loanId];
        if (loan.status != LoanStatus.Active || block.timestamp > loan.drawDeadline) return 0;
        uint256 maxDebt = _valueOf(loan.collateralAmount, _price()) * loan.ltvBps / _BPS;
        uint256 debt = _debtOf(loan);
        uint256 headroom = maxDebt > debt ? maxDebt - debt : 0;
        return Math.min(Math.min(loan.requestedAmount - loan.drawnAmount, headroom), _cash());
    }

    /// @inheritdoc ILendingPool
    function isLiquidatable(bytes32 loanId) external view returns (bool) {
        Loan storage loan = _loans[loanId];
        if (loan.status != LoanStatus.Active) return false;
        uint256 value = _valueOf(loan.collateralAmount, _price());
        return _debtOf(loan) > value * loan.liquidationThresholdBps / _BPS;
    }

    /// @inheritdoc ILendingPool
    function collateralCreditOf(address borrower_) external view returns (uint256) {
        return _collateralCredits[borrower_];
    }

    /// @inheritdoc ILendingPool
    function collateralValue(uint256 collateralAmount) external view returns (uint256) {
        return _valueOf(collateralAmount, _price());
    }

    /// @inheritdoc ILendingPool
    function totalDebt() external view returns (uint256) {
        return _debt.total();
    }

    /// @inheritdoc ILendingPool
    function policy() external view returns (CreditPolicy memory) {
        return _policy;
    }

    /// @inheritdoc ILendingPool
    function settings() external view returns (PoolSettings memory) {
        return _settings;
    }

    /// @inheritdoc ILendingPool
    function modelId() external view returns (bytes32) {
        return _modelId;
    }

    /// @inheritdoc ILendingPool
    function collateralToken() external view returns (address) {
        return address(_collateral);
    }

    /// @inheritdoc ILendingPool
    function priceFeed() external view returns (address) {
        return address(_priceFeed);
    }

    // ================================================================ oracle callback

    /// @dev Runs under the callback gas limit, so it only reads and writes the loan's first slot and
    /// never reverts for an answer: a bad status or an out-of-range PD rejects; collateral of a
    /// rejected or expired application is returned by `closeLoan`, never pushed from here.
    function _onPrediction(bytes32 requestId, Status status, int256 value) internal override {
        Loan storage loan = _loans[requestId];
        if (loan.status != LoanStatus.Pending) return;
        if (_isOkBps(status, value)) {
            CreditPolicy memory policy_ = _policy;
            CreditTerms memory terms = policy_.terms(uint256(value));
            if (terms.approved) {
                _approve(loan, requestId, value, terms, policy_);
                return;
            }
            loan.pdBps = uint16(uint256(value));
        }
        loan.status = status == Status.EXPIRED ? LoanStatus.Expired : LoanStatus.Rejected;
        emit LoanDecided(
            requestId,
            loan.borrower,
            _modelId,
            loan.artifactHash,
            loan.inputHash,
            loan.attester,
            status,
            value,
            false,
            0,
            0,
            0
        );
    }

    // ================================================================ internals

    function _decimalsOffset() internal pure override returns (uint8) {
        return _DECIMALS_OFFSET;
    }

    function _open(
        bytes32 loanId,
        uint256 collateralAmount,
        uint256 requestedAmount,
        bytes32 artifactHash,
        bytes32 inputHash,
        address attester
    ) private returns (Loan storage loan) {
        loan = _loans[loanId];
        loan.borrower = msg.sender;
        loan.collateralAmount = uint128(collateralAmount);
        loan.requestedAmount = uint96(requestedAmount);
        loan.artifactHash = artifactHash;
        loan.inputHash = inputHash;
        loan.attester = attester;
        emit LoanApplied(
            loanId, msg.sender, _modelId, collateralAmount, requestedAmount, artifactHash, inputHash, attester
        );
    }

    function _approve(
        Loan storage loan,
        bytes32 loanId,
        int256 pdBps,
        CreditTerms memory terms,
        CreditPolicy memory policy_
    ) private {
        uint40 drawDeadline = uint40(block.timestamp + policy_.drawWindowSeconds);
        loan.liquidationThresholdBps = policy_.liquidationThresholdBps;
        loan.liquidationBonusBps = policy_.liquidationBonusBps;
        loan.status = LoanStatus.Active;
        loan.pdBps = uint16(uint256(pdBps));
        loan.aprBps = terms.aprBps;
        loan.ltvBps = terms.ltvBps;
        loan.drawDeadline = drawDeadline;
        emit LoanDecided(
            loanId,
            loan.borrower,
            _modelId,
            loan.artifactHash,
            loan.inputHash,
            loan.attester,
            Status.OK,
            pdBps,
            true,
            terms.aprBps,
            terms.ltvBps,
            drawDeadline
        );
    }

    function _draw(Loan storage loan, bytes32 loanId, uint256 amount) private {
        if (amount == 0) revert LendingPoolZeroAmount();
        if (loan.status != LoanStatus.Active) revert LendingPoolLoanNotActive(loanId, loan.status);
        if (block.timestamp > loan.drawDeadline) revert LendingPoolDrawWindowClosed(loanId, loan.drawDeadline);
        uint256 remaining = loan.requestedAmount - loan.drawnAmount;
        if (amount > remaining) revert LendingPoolExceedsCreditLine(loanId, amount, remaining);
        uint256 cash = _cash();
        if (amount > cash) revert LendingPoolInsufficientLiquidity(amount, cash);
        (uint256 debt, uint256 scaled) = DebtLedger.owed(loan.debt, loan.aprBps, loan.lastAccrualAt);
        uint256 debtAfter = debt + amount;
        uint256 maxDebt = _valueOf(loan.collateralAmount, _price()) * loan.ltvBps / _BPS;
        if (debtAfter > maxDebt) revert LendingPoolExceedsLtv(loanId, debtAfter, maxDebt);
        _setDebt(loan, scaled, debtAfter);
        loan.drawnAmount += uint96(amount);
        emit LoanDrawn(loanId, amount, debtAfter);
        IERC20(asset()).safeTransfer(loan.borrower, amount);
    }

    /// @dev The loan owed `scaled` (DebtLedger.owed, now) and owes `newDebt` from now on.
    function _setDebt(Loan storage loan, uint256 scaled, uint256 newDebt) private {
        _debt.rebase(loan.debt, scaled, newDebt, loan.aprBps);
        loan.debt = newDebt.toUint120();
        loan.lastAccrualAt = uint40(block.timestamp);
    }

    function _debtOf(Loan storage loan) private view returns (uint256 debt) {
        // The scaled amount is only for DebtLedger.rebase, which a view does not call.
        // slither-disable-next-line unused-return
        (debt,) = DebtLedger.owed(loan.debt, loan.aprBps, loan.lastAccrualAt);
    }

    function _activeLoan(bytes32 loanId) private view returns (Loan storage loan) {
        loan = _loans[loanId];
        if (loan.status != LoanStatus.Active) revert LendingPoolLoanNotActive(loanId, loan.status);
    }

    function _checkBorrower(Loan storage loan, bytes32 loanId) private view {
        if (loan.borrower != msg.sender) revert LendingPoolNotBorrower(loanId, msg.sender);
    }

    function _checkAmounts(uint256 collateralAmount, uint256 requestedAmount) private pure {
        if (collateralAmount == 0 || requestedAmount == 0) revert LendingPoolZeroAmount();
        if (collateralAmount > type(uint128).max) revert LendingPoolAmountTooLarge(collateralAmount, type(uint128).max);
        if (requestedAmount > type(uint96).max) revert LendingPoolAmountTooLarge(requestedAmount, type(uint96).max);
    }

    function _cash() private view returns (uint256) {
        return IERC20(asset()).balanceOf(address(this));
    }

    /// @dev The feed's answer, refused when not positive or older than maxPriceAgeSeconds.
    function _price() private view returns (uint256) {
        // Round ids and startedAt say nothing a positive answer and its update time do not (Chainlink's guidance).
        // slither-disable-next-line unused-return
        (, int256 answer,, uint256 updatedAt,) = _priceFeed.latestRoundData();
        if (answer <= 0) revert LendingPoolInvalidPrice(answer);
        uint256 maxAge = _settings.maxPriceAgeSeconds;
        if (block.timestamp > updatedAt + maxAge) revert LendingPoolStalePrice(updatedAt, maxAge);
        return uint256(answer);
    }

    function _valueOf(uint256 collateralAmount, uint256 price) private view returns (uint256) {
        return Math.mulDiv(collateralAmount, price * _assetUnit, _priceUnit);
    }

    function _amountFor(uint256 value, uint256 price) private view returns (uint256) {
        return Math.mulDiv(value, _priceUnit, price * _assetUnit);
    }

    function _setPolicy(CreditPolicy memory newPolicy) private {
        if (newPolicy.maxPdBps > _BPS) revert LendingPoolInvalidMaxPd(newPolicy.maxPdBps);
        uint256 maxAprBps = uint256(newPolicy.baseAprBps) + newPolicy.aprSlopeBps;
        if (maxAprBps > MAX_APR_BPS) revert LendingPoolAprTooHigh(maxAprBps, MAX_APR_BPS);
        if (
            newPolicy.maxLtvBps == 0 || newPolicy.ltvSlopeBps >= newPolicy.maxLtvBps
                || newPolicy.maxLtvBps >= newPolicy.liquidationThresholdBps
        ) {
            revert LendingPoolInvalidLtv(newPolicy.maxLtvBps, newPolicy.ltvSlopeBps, newPolicy.liquidationThresholdBps);
        }
        // At the threshold, the collateral must still cover the debt plus the liquidator's bonus.
        if (uint256(newPolicy.liquidationThresholdBps) * (_BPS + newPolicy.liquidationBonusBps) > _BPS * _BPS) {
            revert LendingPoolInvalidLiquidationBonus(
                newPolicy.liquidationThresholdBps, newPolicy.liquidationBonusBps
            );
        }
        if (newPolicy.drawWindowSeconds == 0 || newPolicy.drawWindowSeconds > MAX_DRAW_WINDOW_SECONDS) {
            revert LendingPoolInvalidDrawWindow(newPolicy.drawWindowSeconds);
        }
        _policy = newPolicy;
        emit PolicyChanged(newPolicy);
    }

    function _setSettings(PoolSettings memory newSettings) private {
        if (newSettings.requestTtlSeconds == 0 || newSettings.requestTtlSeconds > MAX_REQUEST_TTL_SECONDS) {
            revert LendingPoolInvalidRequestTtl(newSettings.requestTtlSeconds);
        }
        if (
            newSettings.callbackGasLimit < MIN_CALLBACK_GAS_LIMIT
                || newSettings.callbackGasLimit > MAX_CALLBACK_GAS_LIMIT
        ) revert LendingPoolInvalidCallbackGas(newSettings.callbackGasLimit);
        if (newSettings.maxPriceAgeSeconds == 0 || newSettings.maxPriceAgeSeconds > MAX_PRICE_AGE_SECONDS) {
            revert LendingPoolInvalidMaxPriceAge(newSettings.maxPriceAgeSeconds);
        }
        _settings = newSettings;
        emit SettingsChanged(newSettings);
    }
}
